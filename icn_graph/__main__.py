from icn_graph.cli import main

main()
