; Inno Setup script for 议事工作台 on Windows (Inno Setup 6.3 or later, which ships the
; Simplified Chinese messages). Build the PyInstaller folder first, on Windows:
;
;   pip install ".[build]"
;   pyinstaller build.spec --noconfirm
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installer\windows\yishi.iss
;
; -> dist\议事工作台-0.1.0-安装程序.exe
;
; Installs for the current user without administrator rights (an office PC's clerk seldom has
; them); an IT person can choose "为所有用户安装" in the dialog. Uninstalling removes the
; program only: every clerk's data stays in %LOCALAPPDATA%\YishiDesk.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6B0E2C51-7F3A-4E0D-9B8C-1D2E3F405A61}
AppName=议事工作台
AppVersion={#AppVersion}
AppVerName=议事工作台 {#AppVersion}
AppPublisher=议事工作台开发组
DefaultDirName={autopf}\YishiDesk
DefaultGroupName=议事工作台
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=议事工作台-{#AppVersion}-安装程序
SetupIconFile=..\..\resources\icons\yishi.ico
UninstallDisplayIcon={app}\yishi.exe
UninstallDisplayName=议事工作台
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "在桌面上创建快捷方式"; GroupDescription: "快捷方式："

[Files]
; The whole PyInstaller folder: yishi.exe (the window), yishi-cli.exe (headless commands), _internal\.
Source: "..\..\dist\yishi\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\议事工作台"; Filename: "{app}\yishi.exe"; WorkingDir: "{app}"
Name: "{group}\卸载议事工作台"; Filename: "{uninstallexe}"
Name: "{autodesktop}\议事工作台"; Filename: "{app}\yishi.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\yishi.exe"; Description: "立即打开议事工作台"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete]: the data folder (%LOCALAPPDATA%\YishiDesk: the database, backups, logs)
; is the office's record and is kept when the program is removed.
