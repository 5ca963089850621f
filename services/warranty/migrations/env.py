from services.warranty.adapters.tables import metadata
from shared.persistence.migrations import run_env

run_env(metadata)
