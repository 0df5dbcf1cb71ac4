# BPF golden-packet tests
