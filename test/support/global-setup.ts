// Global test setup (filled in by the storage work: starts FerretDB on a loopback port).
export default function setup(): void {}
