node -e 'console.log("node", process.version)'
node --eval "console.log(6 * 7)"
