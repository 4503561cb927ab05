// Vite's `?worker&url` import: the worker bundled as its own file, and its URL.
declare module '*?worker&url' {
  const url: string;
  export default url;
}
