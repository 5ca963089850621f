from tests.integration.runtime.sample_service.app import build

build().run()
