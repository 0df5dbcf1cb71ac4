# unit tests: vswitchd
