/* Stands in, under Wine 8 only, for the four colour-management calls Qt's Windows platform
 * plugin makes and Wine 8 leaves unimplemented (WcsCreateIccProfile aborts the process): each
 * answers "no colour profile", as a Windows machine without one does. Built by
 * packaging/windows/wine-check into the test prefix; never part of the installer. */
#include <windows.h>

HANDLE WINAPI OpenColorProfileW(void *profile, DWORD access, DWORD share, DWORD creation)
{
    SetLastError(ERROR_NOT_SUPPORTED);
    return NULL;
}

HANDLE WINAPI WcsCreateIccProfile(HANDLE profile, DWORD options)
{
    SetLastError(ERROR_NOT_SUPPORTED);
    return NULL;
}

BOOL WINAPI GetColorProfileFromHandle(HANDLE profile, BYTE *buffer, DWORD *size)
{
    SetLastError(ERROR_NOT_SUPPORTED);
    return FALSE;
}

BOOL WINAPI CloseColorProfile(HANDLE profile)
{
    return TRUE;
}
