from lawgov_metrics.cli import main

main()
