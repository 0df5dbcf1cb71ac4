# vswitchd: the slow path.
