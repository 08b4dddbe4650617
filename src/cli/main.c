/* cli/main.c - the arca command: serve, admin, login, and one subcommand per API operation */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		printf("usage: arca serve|admin|<operation> [options]\n");
		return argc < 2 ? 2 : 0;
	}
	fprintf(stderr, "arca: unknown command '%s'\n", argv[1]);
	return 2;
}
