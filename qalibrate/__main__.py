from qalibrate.cli import main

main()
