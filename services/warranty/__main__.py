from services.warranty.app import build

build().run()
