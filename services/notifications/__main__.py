from services.notifications.app import build

build().run()
