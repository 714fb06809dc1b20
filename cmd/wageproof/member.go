package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/circuits/member"
)

func memberCommand() *cli.Command {
	return &cli.Command{
		Name:  "member",
		Usage: "manage a member identity",
		Subcommands: []*cli.Command{{
			Name:  "new",
			Usage: "create a member identity (secret file, mode 0600) and print its public commitment",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "out", Usage: "identity file to create", Required: true},
			},
			Action: func(c *cli.Context) error {
				id, err := member.New()
				if err != nil {
					return err
				}
				if err := id.Save(c.String("out")); err != nil {
					return err
				}
				commitment := id.Commitment()
				fmt.Fprintln(c.App.Writer, commitment.String())
				fmt.Fprintf(c.App.ErrWriter, "identity written to %s (mode 0600: keep it secret, keep a backup)\n", c.String("out"))
				return nil
			},
		}},
	}
}
