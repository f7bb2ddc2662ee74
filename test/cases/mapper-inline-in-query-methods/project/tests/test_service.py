from linkbox import server


async def test_add_and_get(service):
    saved = await service.add_bookmark("https://example.org", "Example", ["x"])
    loaded = await service.get_bookmark(saved.id)
    assert loaded == saved


async def test_add_and_list(service):
    first = await service.add_bookmark("https://a.example", "A")
    second = await service.add_bookmark("https://b.example", "B", ["b"])
    assert await service.list_bookmarks() == [first, second]


async def test_tool_add(service):
    server.set_service(service)
    result = await server.handle_bookmark_add({"url": "https://a.b", "title": "A"})
    assert result["title"] == "A"
