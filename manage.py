#!/usr/bin/env python
from chatdong.__main__ import main

if __name__ == "__main__":
    main()
