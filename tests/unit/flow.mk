# unit tests: flow
