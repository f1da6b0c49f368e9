/**
 * The regular files under `dir` as `[{path, data}]` with file-backed Blobs (nothing is read
 * until hashed), for `verifyModel({files})`. Hidden files are included; symbolic links are
 * refused unless `allowSymlinks`, then followed to files inside `dir`. Node only.
 */
export declare function filesFromDirectory(dir: string, options?: { allowSymlinks?: boolean }): Promise<Array<{ path: string; data: object }>>;
