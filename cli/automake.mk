# vsctl (database and runtime commands) and dpctl (talks to datapathd).
