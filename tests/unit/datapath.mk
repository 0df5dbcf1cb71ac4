# unit tests: datapath
