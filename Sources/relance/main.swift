import RelanceCLI

Relance.main()
