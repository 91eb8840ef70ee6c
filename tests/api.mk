# API conformance, threads, fork and real-program tests
