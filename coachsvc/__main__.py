from coachsvc.cli import main

main()
