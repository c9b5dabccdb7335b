from benchmarks.relevance.measure import main

main()
