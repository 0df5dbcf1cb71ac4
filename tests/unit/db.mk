# unit tests: db
