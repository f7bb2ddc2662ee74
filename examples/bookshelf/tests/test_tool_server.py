import pytest

from bookshelf.api.tool_server import _book_to_dict


def test_every_tool_has_an_input_schema(tools):
    definitions = {d['name']: d for d in tools.list_tools()}
    assert set(definitions) == {'book_register', 'book_get', 'book_list', 'book_set_condition', 'book_remove'}
    register = definitions['book_register']['inputSchema']
    assert register['required'] == ['isbn', 'title', 'author']
    assert register['properties']['shelf'] == {'type': 'string', 'maxLength': 50}


@pytest.mark.asyncio
async def test_book_register_returns_the_book(tools, dune_args):
    result = await tools.call_tool('book_register', dict(dune_args, condition='worn', shelf='attic'))
    book = result['book']
    assert book['title'] == 'Dune'
    assert book['condition'] == 'worn'
    assert book['shelf'] == 'attic'
    assert book['tags'] == ['sci-fi', 'classic']
    assert book['details'] == {'publisher': 'Ace'}


@pytest.mark.asyncio
async def test_get_list_set_condition_and_remove(tools, dune_args):
    created = (await tools.call_tool('book_register', dune_args))['book']
    assert created['condition'] == 'good'
    assert (await tools.call_tool('book_get', {'book_id': created['id']}))['book'] == created
    assert [b['id'] for b in (await tools.call_tool('book_list', {'tag': 'sci-fi'}))['books']] == [created['id']]
    updated = await tools.call_tool('book_set_condition', {'book_id': created['id'], 'condition': 'damaged'})
    assert updated['book']['condition'] == 'damaged'
    assert (await tools.call_tool('book_list', {'condition': 'new'}))['books'] == []
    assert await tools.call_tool('book_remove', {'book_id': created['id']}) == {'removed': created['id']}


@pytest.mark.asyncio
async def test_failures_come_back_as_errors(tools, dune_args):
    assert (await tools.call_tool('book_burn', {}))['error'] == 'unknown_tool'
    missing = '00000000-0000-0000-0000-000000000000'
    assert (await tools.call_tool('book_get', {'book_id': missing}))['error'] == 'not_found'
    await tools.call_tool('book_register', dune_args)
    assert (await tools.call_tool('book_register', dune_args))['error'] == 'duplicate'
    assert (await tools.call_tool('book_register', {'isbn': '1'}))['error'] == 'invalid_arguments'
    bad_isbn = dict(dune_args, isbn='12')
    assert (await tools.call_tool('book_register', bad_isbn))['error'] == 'invalid_arguments'


@pytest.mark.asyncio
async def test_book_to_dict_is_json_ready(library, dune_args):
    book = await library.register_book(**dune_args)
    data = _book_to_dict(book)
    assert data['id'] == str(book.id)
    assert data['added_at'] == book.added_at.isoformat()
    assert data['published_year'] == 1965
