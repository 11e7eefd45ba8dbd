from teipress.cli import main

main()
