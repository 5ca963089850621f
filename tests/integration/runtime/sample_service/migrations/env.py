from shared.persistence.migrations import run_env
from tests.integration.runtime.sample_service.app import metadata

run_env(metadata)
