from services.notifications.adapters.tables import metadata
from shared.persistence.migrations import run_env

run_env(metadata)
