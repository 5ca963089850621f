from services.orders.app import build

build().run()
