/*
 * bcryptprimitives.dll for Wine 8.0, which has none.
 *
 * Go's Windows runtime (since Go 1.22) loads ProcessPrng from
 * bcryptprimitives.dll in system32 at start-up and stops with
 * "bcryptprimitives.dll not found" where it is missing. Windows 10 and
 * later ship it; Debian's Wine 8.0 does not. This one-function DLL gives
 * ProcessPrng on top of advapi32!SystemFunction036 (RtlGenRandom), which
 * Wine has. It is built and copied into a throwaway Wine prefix by
 * .ci/wine/run and is only ever used there, never shipped.
 *
 * Part of avdurls, GPL-3.0.
 */
#include <windows.h>

/* advapi32!SystemFunction036 is RtlGenRandom. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* RtlGenRandom takes a ULONG: fill in pieces. */
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
    (void)inst; (void)reason; (void)reserved;
    return TRUE;
}
