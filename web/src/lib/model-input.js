// What the user gave as a model: a dropped folder, a picked directory, picked files or one
// file, turned into one shape for both views:
//   {kind: 'directory', name, entries: [{path, file}], bytes} or {kind: 'file', name, file, bytes}

import { filesFromDataTransfer } from './wasm.js';

function dirModel(name, entries) {
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { kind: 'directory', name, entries, bytes: entries.reduce((n, e) => n + e.file.size, 0) };
}

function fileModel(file) {
  return { kind: 'file', name: file.name, file, bytes: file.size };
}

/** From a drop event's DataTransfer: a dropped folder, or dropped files. */
export async function modelFromDrop(dataTransfer) {
  const items = Array.from(dataTransfer.items || []);
  const entries = items.map((it) => (it.webkitGetAsEntry ? it.webkitGetAsEntry() : null)).filter(Boolean);
  if (entries.length === 0) {
    const files = Array.from(dataTransfer.files || []);
    if (files.length === 1) return fileModel(files[0]);
    if (files.length > 1) return dirModel('model', files.map((f) => ({ path: f.name, file: f })));
    throw new Error('the drop holds no file or folder');
  }
  if (entries.length === 1 && entries[0].isFile) {
    const file = await new Promise((resolve, reject) => entries[0].file(resolve, reject));
    return fileModel(file);
  }
  const list = await filesFromDataTransfer(dataTransfer);
  return dirModel(list.modelName || 'model', list.map((e) => ({ path: e.path, file: e.data })));
}

/**
 * From an <input type=file> FileList: with `webkitdirectory` every File has a
 * `webkitRelativePath` starting with the picked folder's name; plain multiple picks have
 * none. One plain file is a single-file model.
 */
export function modelFromFileList(fileList) {
  const files = Array.from(fileList || []);
  if (files.length === 0) return null;
  const rel = files.map((f) => f.webkitRelativePath || '');
  if (rel.every((r) => r.includes('/'))) {
    const root = rel[0].split('/')[0];
    if (rel.every((r) => r.split('/')[0] === root)) {
      return dirModel(root, files.map((f, i) => ({ path: rel[i].slice(root.length + 1), file: f })));
    }
  }
  if (files.length === 1) return fileModel(files[0]);
  return dirModel('model', files.map((f) => ({ path: f.name, file: f })));
}

/** The `files` argument of verifyModel for a model. */
export function verifyFiles(model) {
  if (model.kind === 'file') return model.file;
  return model.entries.map((e) => ({ path: e.path, data: e.file }));
}
