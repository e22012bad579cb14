npm run build
npx esbuild --version
