# unit tests: chan
