/* Stands in, under Wine 8 only, for Windows 10's bcryptprimitives.dll, which Wine 8 lacks:
 * Rust's standard library (cryptography's _rust.pyd) draws random bytes from ProcessPrng.
 * Built by packaging/windows/wine-check into the test prefix; never part of the installer. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    while (size > 0) {
        ULONG chunk = size > 0x10000000 ? 0x10000000 : (ULONG)size;
        if (!RtlGenRandom(data, chunk)) return FALSE;
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
