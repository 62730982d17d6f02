from ninja import NinjaAPI

api = NinjaAPI(title="crowdstudio API", version="1")
