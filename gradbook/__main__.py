import sys

from gradbook.cli import main

sys.exit(main())
