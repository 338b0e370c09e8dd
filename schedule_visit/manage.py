#!/usr/bin/env python
from rentezy_common.manage import main

if __name__ == "__main__":
    main()
