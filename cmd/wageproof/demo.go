package main

import "github.com/urfave/cli/v2"

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "run the whole flow on the embedded synthetic workforce and show what each party saw",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Usage: "keep the demo's files here (default: a temporary directory, removed afterwards)"},
			&cli.IntFlag{Name: "min-cell", Value: 5, Usage: "smallest cell the analyst may see"},
		},
		Action: runDemo,
	}
}
