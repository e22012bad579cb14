# Not code on the fly: -c and -e here are the scripts' own arguments.
cat > script.py <<'PY'
import sys
print("script.py got", sys.argv[1:])
PY
python3 script.py -c x
cat > script.pl <<'PL'
print "script.pl got @ARGV\n";
PL
perl script.pl -e
printf 'console.log("script.js got", process.argv.slice(2))\n' > script.js
node script.js -e x
