'''bookshelf: a personal library kept in SQLite.'''
