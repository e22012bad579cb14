node --version
npm --version
npm config get registry
