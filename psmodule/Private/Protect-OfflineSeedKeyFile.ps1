function Protect-OfflineSeedKeyFile {
    <#
    .SYNOPSIS
    Writes a scheduled backup's key file on Windows: the password encrypted with DPAPI, the file
    readable only by the task's account, SYSTEM and Administrators.

    .DESCRIPTION
    The password's UTF-16 bytes are copied out of the SecureString's BSTR (zeroed and freed in a
    finally block, and the byte copy cleared) and encrypted with
    System.Security.Cryptography.ProtectedData: for the current user when the task runs as the
    current user (only that account can decrypt it, on this computer), else for this computer
    (LocalMachine scope; the ACL keeps other accounts out, and a copy of the file is useless on any
    other computer). A fixed entropy ties the blob to OfflineSeed.

    The folder gets a protected ACL (SYSTEM and Administrators, full control, inherited by files);
    the file is written under a temporary name, gets its own protected ACL (the task's account
    read), and is moved into place. Format, two lines:
        OfflineSeed-DPAPI-1 <CurrentUser|LocalMachine>
        <base64 of the DPAPI blob>
    Invoke-OfflineSeedScheduledBackup.ps1 reads it.
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param(
        # Where the key file goes.
        [Parameter(Mandatory)]
        [string] $Path,

        # The repository password.
        [Parameter(Mandatory)]
        [System.Security.SecureString] $Password,

        # The account the task runs as (DOMAIN\user, DOMAIN\gmsa$, NT AUTHORITY\SYSTEM).
        [Parameter(Mandatory)]
        [string] $Account
    )

    if ($null -eq ('System.Security.Cryptography.ProtectedData' -as [type])) { Add-Type -AssemblyName 'System.Security' }

    $system = [System.Security.Principal.SecurityIdentifier]::new('S-1-5-18')
    $administrators = [System.Security.Principal.SecurityIdentifier]::new('S-1-5-32-544')
    $taskAccount = [System.Security.Principal.NTAccount]::new($Account).Translate([System.Security.Principal.SecurityIdentifier])
    $current = [System.Security.Principal.WindowsIdentity]::GetCurrent().User
    $scope = [System.Security.Cryptography.DataProtectionScope]::LocalMachine
    if ($taskAccount.Equals($current)) { $scope = [System.Security.Cryptography.DataProtectionScope]::CurrentUser }

    $folder = [System.IO.Path]::GetDirectoryName([System.IO.Path]::GetFullPath($Path))
    $null = [System.IO.Directory]::CreateDirectory($folder)
    $folderAcl = [System.Security.AccessControl.DirectorySecurity]::new()
    $folderAcl.SetAccessRuleProtection($true, $false)
    $inherit = [System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit'
    foreach ($sid in @($system, $administrators)) {
        $folderAcl.AddAccessRule([System.Security.AccessControl.FileSystemAccessRule]::new($sid, 'FullControl', $inherit, 'None', 'Allow'))
    }
    Set-Acl -LiteralPath $folder -AclObject $folderAcl -ErrorAction Stop

    $entropy = [System.Text.Encoding]::UTF8.GetBytes('OfflineSeed key file v1')
    $bstr = [System.IntPtr]::Zero
    $plain = $null
    try {
        $bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($Password)
        $plain = [byte[]]::new($Password.Length * 2)
        [System.Runtime.InteropServices.Marshal]::Copy($bstr, $plain, 0, $plain.Length)
        $blob = [System.Security.Cryptography.ProtectedData]::Protect($plain, $entropy, $scope)
    } finally {
        if ($bstr -ne [System.IntPtr]::Zero) { [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr) }
        if ($null -ne $plain) { [System.Array]::Clear($plain, 0, $plain.Length) }
    }

    $final = [System.IO.Path]::Combine($folder, [System.IO.Path]::GetFileName($Path))
    $temp = $final + '.' + [System.Guid]::NewGuid().ToString('N') + '.tmp'
    $text = 'OfflineSeed-DPAPI-1 ' + $scope.ToString() + "`r`n" + [System.Convert]::ToBase64String($blob) + "`r`n"
    [System.IO.File]::WriteAllText($temp, $text, [System.Text.UTF8Encoding]::new($false))
    try {
        $fileAcl = [System.Security.AccessControl.FileSecurity]::new()
        $fileAcl.SetAccessRuleProtection($true, $false)
        foreach ($sid in @($system, $administrators)) {
            $fileAcl.AddAccessRule([System.Security.AccessControl.FileSystemAccessRule]::new($sid, 'FullControl', 'Allow'))
        }
        $fileAcl.AddAccessRule([System.Security.AccessControl.FileSystemAccessRule]::new($taskAccount, 'Read', 'Allow'))
        Set-Acl -LiteralPath $temp -AclObject $fileAcl -ErrorAction Stop
        if ([System.IO.File]::Exists($final)) { [System.IO.File]::Delete($final) }
        [System.IO.File]::Move($temp, $final)
    } finally {
        if ([System.IO.File]::Exists($temp)) { [System.IO.File]::Delete($temp) }
    }
}
