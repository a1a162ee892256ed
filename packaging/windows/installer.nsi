; The Windows installer (makensis, called by packaging/windows/build with
; -DVERSION=... -DBUNDLE=... -DOUTFILE=...).
;
; For the current user only, no administrator: %LOCALAPPDATA%\Programs\Rumah Perisai, the
; uninstaller in HKCU's Apps list. The data folder (%APPDATA%\rumah-perisai, or any --data-dir)
; is never touched: not by an update, not by the uninstaller.
;
;   setup.exe            the pages, in Bahasa Indonesia; opens the program at the end
;   setup.exe /S         silent (branch IT); exit code 0 done, 2 the program kept running
;   setup.exe /S /RUN    silent, then opens the program (what `update install` runs)

; A 64-bit installer for a 64-bit program (and Wine on Linux runs it without 32-bit libraries).
Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma
SetCompressorDictSize 64
SetDatablockOptimize on
CRCCheck on

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

!define APPNAME "Rumah Perisai"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\RumahPerisai"
!define GUI_EXE "Rumah Perisai.exe"
!define CLI_EXE "rumah-perisai.exe"

Name "${APPNAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APPNAME}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APPNAME} ${VERSION}"
ShowInstDetails hide
ShowUninstDetails hide

VIProductVersion "${VERSION}.0"
VIFileVersion "${VERSION}.0"
VIAddVersionKey /LANG=1057 "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=1057 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1057 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1057 "FileDescription" "Pemasang ${APPNAME} ${VERSION}"
VIAddVersionKey /LANG=1057 "LegalCopyright" "MIT"

!define MUI_ICON "${BUNDLE}\rumah-perisai.ico"
!define MUI_UNICON "${BUNDLE}\rumah-perisai.ico"
!define MUI_ABORTWARNING

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${GUI_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "$(RunNow)"
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!define MUI_FINISHPAGE_TITLE "$(RemovedTitle)"
!define MUI_FINISHPAGE_TEXT "$(DataStays)"
!insertmacro MUI_UNPAGE_FINISH

!insertmacro MUI_LANGUAGE "Indonesian"

LangString RunNow ${LANG_INDONESIAN} "Buka Rumah Perisai sekarang"
LangString StillRunning ${LANG_INDONESIAN} "Rumah Perisai sedang terbuka. Tutup semua jendela Rumah Perisai (simpan pekerjaan dulu), lalu pilih Coba lagi."
LangString RemovedTitle ${LANG_INDONESIAN} "Rumah Perisai sudah dihapus"
LangString DataStays ${LANG_INDONESIAN} "Program sudah dihapus dari komputer ini. Data pos TIDAK dihapus: data tetap tersimpan di $APPDATA\rumah-perisai (dan di folder data lain yang pernah dipilih dengan --data-dir). Memasang Rumah Perisai lagi akan memakai data itu."

; --- the program must not be running while its files are replaced ----------------------------
; Two checks, because Windows and Wine refuse different things while a program runs: Windows
; will not rename a folder holding a running program's DLLs; Wine renames it but will not delete
; a DLL in use. app\ is renamed to app.old\ and its python313.dll deleted (app.old\ is removed
; anyway); if either fails, app.old\ goes back to app\ and the user is asked to close the
; program. In a silent install (an update started by the program itself, which exits right
; after) it waits up to 30 seconds for the program to close, then exits with code 2.
!macro ENSURE_NOT_RUNNING un
Function ${un}EnsureNotRunning
  IfFileExists "$INSTDIR\app\*.*" 0 done
  RMDir /r "$INSTDIR\app.old"
  StrCpy $R1 0
  retry:
    ClearErrors
    Rename "$INSTDIR\app" "$INSTDIR\app.old"
    IfErrors running
    Delete "$INSTDIR\app.old\python\python313.dll"
    IfErrors 0 done
    Rename "$INSTDIR\app.old" "$INSTDIR\app"
  running:
    ${If} ${Silent}
      IntOp $R1 $R1 + 1
      ${If} $R1 < 60
        Sleep 500
        Goto retry
      ${EndIf}
      SetErrorLevel 2
      Quit
    ${EndIf}
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(StillRunning)" /SD IDCANCEL IDRETRY retry
    SetErrorLevel 2
    Quit
  done:
FunctionEnd
!macroend
!insertmacro ENSURE_NOT_RUNNING ""
!insertmacro ENSURE_NOT_RUNNING "un."

Section "Rumah Perisai" SecMain
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  Call EnsureNotRunning
  ; The new program replaces the whole app\ folder: nothing of an older version lingers.
  SetOutPath "$INSTDIR\app"
  File /r "${BUNDLE}\app\*.*"
  SetOutPath "$INSTDIR"
  File "${BUNDLE}\${CLI_EXE}"
  File "${BUNDLE}\${GUI_EXE}"
  File "${BUNDLE}\rumah-perisai.ico"
  RMDir /r "$INSTDIR\app.old"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\rumah-perisai.ico" 0
  CreateShortCut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\rumah-perisai.ico" 0

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Rumah Perisai maintainers"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\rumah-perisai.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Function .onInstSuccess
  ${If} ${Silent}
    ${GetParameters} $0
    ClearErrors
    ${GetOptions} $0 "/RUN" $1
    ${IfNot} ${Errors}
      Exec '"$INSTDIR\${GUI_EXE}"'
    ${EndIf}
  ${EndIf}
FunctionEnd

Section "Uninstall"
  SetShellVarContext current
  Call un.EnsureNotRunning
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  Delete "$DESKTOP\${APPNAME}.lnk"
  ; Only what the installer put here: the data folder lives elsewhere and is never touched.
  RMDir /r "$INSTDIR\app.old"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\rumah-perisai.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DetailPrint "$(DataStays)"
SectionEnd
