package database

import "io/fs"

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		// Only reachable if the embed directive and dir disagree: a build-time mistake.
		panic(err)
	}
	return sub
}
