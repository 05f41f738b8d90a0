/* fuzz_wav.c - the plain-PCM WAV header reader on its own (no FFmpeg behind it). */
#include "fuzz_file.h"
#include "media/probe.h"
#include "media/wav.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_file(data, size, path);
	if (fd < 0)
		return 0;
	struct vrp_media_info info;
	struct vrp_wav_pcm pcm;
	vrp_wav_read_plain(fd, (int64_t)size, &info);
	vrp_wav_read_pcm(fd, (int64_t)size, &pcm);
	close(fd);
	return 0;
}
