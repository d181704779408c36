/* tally.c: the command-line client's entry point; the client is src/cli/. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	return tl_cli_main(argc, argv);
}
