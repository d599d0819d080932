"""``python -m worker.cli`` runs the same command as the ``wirefeed`` script."""

from worker.cli import main

main()
