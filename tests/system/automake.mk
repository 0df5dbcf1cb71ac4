# system suites (root)
