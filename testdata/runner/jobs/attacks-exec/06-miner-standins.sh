# Miner stand-ins: copies of /bin/true and curl named xmrig; nothing mines.
T=$PWD/miner-standin
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
W=4$(printf '7%.0s' $(seq 1 94))	# a wallet-shaped string, not a wallet
cp /bin/true "$T/xmrig"
"$T/xmrig" -o stratum+tcp://127.0.0.1:3333 -u "$W" --donate-level 1 -a rx/0
bash -c 'exec -a xmrig true'
bash -c "exec -a cache-helper true -o stratum+ssl://127.0.0.1:3333 --donate-level 1"
# a connect to a stratum port (nothing listens there: refused)
cp /usr/bin/curl "$T/xmrig"
"$T/xmrig" -s --max-time 2 http://127.0.0.1:3333/ || true
# Benign look-alikes: searching for miner names and pool URLs.
grep -c xmrig "$0" || true
grep -c 'stratum+tcp://' "$0" || true
