// esbuild bundles an imported stylesheet into dist/webview/graph.css beside the script.
declare module '*.css';
