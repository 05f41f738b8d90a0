/* fuzz_probe.c - the media probe (WAV header reader, FFmpeg front end, truncation checks). */
#include "fuzz_file.h"
#include "media/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_file(data, size, path);
	if (fd < 0)
		return 0;
	struct vrp_media_info info;
	vrp_probe_file(path, &info);
	close(fd);
	return 0;
}
